"""Campaigns (SPEC 8): list (by status), retrieve, create, update and their statistics."""

from django.shortcuts import get_object_or_404
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

import interactions.services
from interactions import selectors
from interactions.models import Campaign

from .. import campaign_serializers as c
from ..filters import CampaignApiFilter
from ..schema import documented
from .base import ApiMixin


def campaign_rows():
    return Campaign.objects.select_related("salesperson", "created_by").order_by("-no")


def campaign_answer(campaign: Campaign, code=status.HTTP_200_OK) -> Response:
    return Response(c.CampaignSerializer(campaign_rows().get(pk=campaign.pk)).data, status=code)


class CampaignList(ApiMixin, generics.ListAPIView):
    """Campaigns, newest number first; ``status`` filters as the campaign list page does."""

    permissions = {"read": "interactions.view_campaign", "POST": "interactions.add_campaign"}
    serializer_class = c.CampaignSerializer
    filterset_class = CampaignApiFilter

    def get_queryset(self):
        return campaign_rows()

    @documented(responses={200: c.CampaignSerializer(many=True)}, tags=["campaigns"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @documented(
        request=c.CampaignCreateSerializer,
        responses={201: c.CampaignSerializer},
        write=True,
        tags=["campaigns"],
    )
    def post(self, request):
        """Create a campaign: without ``no``, the next number of the series."""
        data = c.CampaignCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = interactions.services.create_campaign(user=request.user, **data.validated_data)
        return campaign_answer(campaign, status.HTTP_201_CREATED)


class CampaignDetail(ApiMixin, APIView):
    permissions = {"read": "interactions.view_campaign", "PATCH": "interactions.change_campaign"}

    @documented(responses={200: c.CampaignSerializer}, tags=["campaigns"])
    def get(self, request, no):
        return Response(c.CampaignSerializer(get_object_or_404(campaign_rows(), no=no)).data)

    @documented(
        request=c.CampaignUpdateSerializer,
        responses={200: c.CampaignSerializer},
        write=True,
        tags=["campaigns"],
    )
    def patch(self, request, no):
        """Change a campaign's description, dates, salesperson or status."""
        campaign = get_object_or_404(Campaign, no=no)
        data = c.CampaignUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        interactions.services.update_campaign(campaign, user=request.user, **data.validated_data)
        return campaign_answer(campaign)


class CampaignStatistics(ApiMixin, APIView):
    permissions = {"read": "interactions.view_campaign"}

    @documented(responses={200: c.CampaignStatisticsSerializer}, tags=["campaigns"])
    def get(self, request, no):
        """The campaign's figures; canceled entries count in none of them."""
        campaign = get_object_or_404(Campaign, no=no)
        figures = selectors.campaign_statistics(campaign)
        return Response(c.CampaignStatisticsSerializer(figures).data)
